const WINDOWS = [
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last day" },
] as const;

export function WindowPicker(props: { value: "1h" | "24h"; onChange(value: "1h" | "24h"): void }) {
  return (
    <fieldset className="segmented">
      <legend className="visually-hidden">Time window</legend>
      {WINDOWS.map((w) => (
        <button
          key={w.value}
          type="button"
          aria-pressed={props.value === w.value}
          onClick={() => props.onChange(w.value)}
        >
          {w.label}
        </button>
      ))}
    </fieldset>
  );
}
