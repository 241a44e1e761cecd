// Mirrors SQLite's 0008: custom headers (values sealed) and a payload filter per endpoint, NULL
// when unset; endpoint authentication (`auth`), sealed JSON text. Forward-only.
export const sql = `
ALTER TABLE endpoints ADD COLUMN headers jsonb;
ALTER TABLE endpoints ADD COLUMN filter jsonb;
ALTER TABLE endpoints ADD COLUMN auth text;
`;
