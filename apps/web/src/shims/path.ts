/**
 * The one `path` function kuromoji's dictionary loader uses in a browser (`path.join(dicPath,
 * file)`), for URLs: joins with exactly one `/`.
 */
export function join(...parts: string[]): string {
  return parts
    .filter((p) => p.length > 0)
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .join('/');
}

export default { join };
