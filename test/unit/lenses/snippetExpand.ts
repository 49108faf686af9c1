/**
 * Expands a VS Code snippet body the way the editor does on insertion when the user accepts every default:
 * placeholders take their default (nested ones expanded), choices their first option, tab stops and unknown
 * variables become empty. `values` overrides tab stops by number (to point a snippet at test files).
 * Grammar: https://code.visualstudio.com/docs/editor/userdefinedsnippets#_grammar
 */
export function expandSnippet(body: string, values: Record<number, string> = {}): string {
  let i = 0;
  const parse = (stopAt: string | null): string => {
    let out = '';
    while (i < body.length) {
      const c = body[i];
      if (c === '\\' && i + 1 < body.length && '$}\\'.includes(body[i + 1])) {
        out += body[i + 1];
        i += 2;
        continue;
      }
      if (stopAt !== null && c === stopAt) return out;
      if (c === '$') {
        const simple = /^\$(\d+|[A-Za-z_]\w*)/.exec(body.slice(i));
        if (simple) {
          i += simple[0].length;
          out += /^\d+$/.test(simple[1]) ? (values[Number(simple[1])] ?? '') : '';
          continue;
        }
        const open = /^\$\{(\d+|[A-Za-z_]\w*)/.exec(body.slice(i));
        if (open) {
          i += open[0].length;
          const id = open[1];
          const stop = /^\d+$/.test(id) ? Number(id) : undefined;
          let text = '';
          if (body[i] === ':') {
            i++;
            text = parse('}');
          } else if (body[i] === '|') {
            const end = body.indexOf('|}', i + 1);
            if (end === -1) throw new Error(`unterminated choice at ${i}`);
            text = body
              .slice(i + 1, end)
              .split(/(?<!\\),/)[0]
              .replace(/\\(.)/g, '$1');
            i = end + 1;
          } else if (body[i] === '/') {
            throw new Error('variable transforms are not used in Flowbench snippets');
          }
          if (body[i] !== '}') throw new Error(`expected } at ${i} in ${JSON.stringify(body.slice(i - 20, i + 20))}`);
          i++;
          out += stop !== undefined && values[stop] !== undefined ? values[stop] : text;
          continue;
        }
      }
      out += c;
      i++;
    }
    if (stopAt !== null) throw new Error(`unterminated placeholder (expected ${stopAt})`);
    return out;
  };
  return parse(null);
}
