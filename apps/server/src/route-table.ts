import type { Handler } from './exchange.js';

/** Which error shape a route answers with. */
export type RouteFamily = 'ollama' | 'openai' | 'admin';

/** One route: a path template and a handler per method. */
export interface Route {
  /**
   * `/api/chat`; `:name` matches one path segment, `:name*` the rest of the path (a model name may hold `/`),
   * and a trailing `/*` any path below.
   */
  readonly path: string;
  readonly methods: Readonly<Record<string, Handler>>;
  readonly family: RouteFamily;
}

/** A route matched against a request path. */
export interface RouteMatch {
  readonly route: Route;
  readonly params: Readonly<Record<string, string>>;
}

interface Compiled {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      const param = /^:(\w+)(\*)?$/.exec(segment);
      if (param === null) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1] as string);
      return param[2] === '*' ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a malformed escape: the raw text (it matches nothing)
  }
}

/** A route table: exact paths first, then templates in the order given. */
export interface RouteTable {
  readonly routes: readonly Route[];
  match(pathname: string): RouteMatch | undefined;
}

/** Builds a table from routes (their order decides between templates that both match). */
export function createRouteTable(routes: readonly Route[]): RouteTable {
  const exact = new Map<string, Route>();
  const templates: Compiled[] = [];
  for (const route of routes) {
    if (/[:*]/.test(route.path)) templates.push(compile(route));
    else exact.set(route.path, route);
  }
  return {
    routes,
    match(pathname) {
      const route = exact.get(pathname);
      if (route !== undefined) return { route, params: {} };
      for (const candidate of templates) {
        const found = candidate.pattern.exec(pathname);
        if (found === null) continue;
        const params: Record<string, string> = {};
        candidate.names.forEach((name, index) => {
          params[name] = decode(found[index + 1] as string);
        });
        return { route: candidate.route, params };
      }
      return undefined;
    },
  };
}
