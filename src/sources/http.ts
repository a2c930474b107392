// The network transport every client of the check shares (the Hub's in hub-http.ts, GitHub's in
// github/client.ts): the User-Agent naming the tool, and the proxy the runner names.
//
// Node's global fetch ignores HTTP_PROXY, HTTPS_PROXY and NO_PROXY: its default dispatcher reads no
// environment (https://nodejs.org/api/globals.html#fetch, and undici's own docs,
// https://github.com/nodejs/undici/blob/main/docs/docs/api/EnvHttpProxyAgent.md). When a proxy is
// named, requests go through undici's EnvHttpProxyAgent instead, which picks per request: NO_PROXY's
// hosts directly, https: URLs through HTTPS_PROXY (else HTTP_PROXY), http: URLs through HTTP_PROXY.
import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici'
import pkg from '../../package.json' with { type: 'json' }

/** Sent on every request to GitHub and to the Hub: which tool and version is asking. */
export const USER_AGENT = `friendli-preflight/${pkg.version}`

/** The proxy variables as curl and undici read them: the lower-case name first, '' when unset. */
export function proxyVariables(env: NodeJS.ProcessEnv): {
  httpProxy: string
  httpsProxy: string
  noProxy: string
} {
  const read = (name: string) => env[name] ?? env[name.toUpperCase()] ?? ''
  return { httpProxy: read('http_proxy'), httpsProxy: read('https_proxy'), noProxy: read('no_proxy') }
}

/**
 * A fetch that goes through the proxy `env` names, or the global fetch when it names none. Takes a URL
 * (a string or URL object), as every caller here passes; a Request object would lose its method and body.
 */
export function proxyFetch(env: NodeJS.ProcessEnv = process.env): typeof fetch {
  const { httpProxy, httpsProxy, noProxy } = proxyVariables(env)
  if (!httpProxy && !httpsProxy) return globalThis.fetch
  // Given explicitly (an empty string included), so the agent reads nothing of process.env itself.
  const dispatcher = new EnvHttpProxyAgent({ httpProxy, httpsProxy, noProxy })
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(typeof input === 'string' || input instanceof URL ? input : input.url, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch
}
