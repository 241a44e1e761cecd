import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { UsageError } from "./failure.ts";

/** A server and the key to use with it, saved by `hookline login`. */
export interface Profile {
  url: string;
  api_key: string;
}

interface ProfileFile {
  profiles: Record<string, Profile>;
}

/** `$XDG_CONFIG_HOME/hookline/config.json`, or `~/.config/hookline/config.json`. */
export function profilePath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || join(env.HOME?.trim() || homedir(), ".config");
  return join(base, "hookline", "config.json");
}

function readFile(path: string): ProfileFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} };
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ProfileFile>;
    return { profiles: parsed.profiles ?? {} };
  } catch {
    throw new UsageError(
      `${path} is not valid JSON: fix it or delete it and run \`hookline login\``,
    );
  }
}

export function readProfile(name: string, path = profilePath()): Profile | undefined {
  const profiles = readFile(path).profiles;
  return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
}

/**
 * Saves a profile beside the others. The file holds API keys: it is created 0600 in a 0700
 * folder, written to a temporary file first and renamed, so it is never half-written or
 * readable by others, even for a moment.
 */
export function saveProfile(name: string, profile: Profile, path = profilePath()): void {
  const file = readFile(path);
  file.profiles[name] = profile;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}
