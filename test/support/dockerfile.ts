/**
 * A small Dockerfile reader for the deployment tests: enough of the syntax the project's Dockerfile uses
 * (line continuations, comments, parser directives, JSON and shell forms, `ENV k=v …`, `AS` stage names), no more.
 */
export interface Instruction {
  keyword: string;
  /** The arguments as written, continuations joined. */
  args: string;
  line: number;
}

export interface Stage {
  name?: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = i + 1;
    let current = lines[i].trim();
    if (current === '' || current.startsWith('#')) continue;
    while (current.endsWith('\\') && i + 1 < lines.length) {
      current = current.slice(0, -1);
      i++;
      const next = lines[i].trim();
      if (next.startsWith('#')) continue; // comments inside a continued instruction are dropped
      current += ` ${next}`;
    }
    const m = /^(\S+)\s*(.*)$/s.exec(current)!;
    instructions.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: first });
  }
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`line ${ins.line}: cannot read FROM ${ins.args}`);
      stages.push({ from: m[1], name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return stages;
}

/** The arguments of an exec-form instruction (`CMD ["node", "x.js"]`), or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** `ENV A=1 B="two words"` (and the legacy `ENV A 1`) as a map. */
export function envOf(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!args.includes('=')) {
    const m = /^(\S+)\s+(.*)$/.exec(args)!;
    env[m[1]] = m[2];
    return env;
  }
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    env[m[1]] = m[2].startsWith('"') ? JSON.parse(m[2]) : m[2];
  }
  return env;
}

/** `HEALTHCHECK --interval=30s … CMD […]`: the options and the command. */
export function healthcheckOf(args: string): { options: Record<string, string>; command: string[] | undefined; shell?: string } {
  const options: Record<string, string> = {};
  let rest = args;
  for (;;) {
    const m = /^--([a-z-]+)=(\S+)\s+/.exec(rest);
    if (!m) break;
    options[m[1]] = m[2];
    rest = rest.slice(m[0].length);
  }
  if (!rest.startsWith('CMD')) return { options, command: undefined };
  const cmd = rest.slice(3).trim();
  return { options, command: execForm(cmd), shell: execForm(cmd) ? undefined : cmd };
}
