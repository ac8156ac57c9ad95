/**
 * A small, strict reader for the report's HTML (no browser in the test suite): every tag closes in order,
 * attributes are quoted, text has no stray `<` and only known entities, and nothing is loaded from
 * elsewhere (no scripts, no external URLs). Returns the problems, empty when the page is sound.
 */
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const RAW_TEXT = new Set(['style', 'script']);

export interface HtmlElement {
  name: string;
  attributes: Record<string, string>;
}

export function checkHtml(html: string): { problems: string[]; elements: HtmlElement[] } {
  const problems: string[] = [];
  const elements: HtmlElement[] = [];
  const stack: string[] = [];
  let text = html.replace(/^<!DOCTYPE html>\s*/i, '');
  if (text.length === html.length) problems.push('no <!DOCTYPE html>');
  text = text.replace(/<!--[\s\S]*?-->/g, '');
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*(\/?)>/g;
  let last = 0;
  for (let match = tag.exec(text); match; match = tag.exec(text)) {
    checkText(text.slice(last, match.index), problems);
    const [whole, closing, rawName, attrs = '', selfClosing] = match;
    const name = rawName!.toLowerCase();
    last = match.index + whole.length;
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open ?? 'nothing'}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attrs.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) attributes[key!] = value ?? '';
    elements.push({ name, attributes });
    if (selfClosing || VOID.has(name)) continue;
    if (RAW_TEXT.has(name)) {
      const end = text.indexOf(`</${name}>`, last);
      if (end < 0) {
        problems.push(`<${name}> never closes`);
        break;
      }
      last = end + name.length + 3;
      tag.lastIndex = last;
      continue;
    }
    stack.push(name);
  }
  checkText(text.slice(last), problems);
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' > ')}`);
  if (/<script/i.test(html)) problems.push('has a script');
  for (const element of elements) {
    for (const [key, value] of Object.entries(element.attributes)) {
      if (key === 'xmlns') continue;
      if (/^(https?:)?\/\//i.test(value) || /url\(\s*['"]?https?:/i.test(value))
        problems.push(`<${element.name} ${key}="${value}"> loads from elsewhere`);
    }
  }
  if (/@import|@font-face|url\(\s*['"]?https?:/i.test(html)) problems.push('CSS loads from elsewhere');
  return { problems, elements };
}

function checkText(text: string, problems: string[]): void {
  if (text.includes('<'))
    problems.push(`stray "<" in text: ${JSON.stringify(text.slice(text.indexOf('<'), text.indexOf('<') + 40))}`);
  for (const [entity] of text.matchAll(/&[^;\s]*;?/g)) {
    if (!/^&(amp|lt|gt|quot|#39|#\d+|#x[0-9a-f]+);$/i.test(entity)) problems.push(`bad entity ${entity}`);
  }
}
