// A fake GitHub and a client of it, for the tests of the client and of the check run. Apart from
// fake-github.ts: src/github/client.ts imports @actions/github, which reads the runner's environment
// when it is first imported, and the action's tests set that environment before they import it.
import { createGitHubClient, type GitHubClientOptions } from '../../src/github/client.js'
import { startFakeGithub, type FakeGithubOptions } from './fake-github.js'

/**
 * A fake GitHub and a client of it whose log lines go to `lines`: the plugins' waits are 1 ms a second
 * (no test sleeps), and no proxy is read (an empty environment). The caller closes `gh`.
 */
export async function startFakeGithubClient(fake: FakeGithubOptions = {}, client: GitHubClientOptions = {}) {
  const gh = await startFakeGithub(fake)
  const lines: string[] = []
  const octokit = createGitHubClient('ghs_test', {
    baseUrl: gh.url,
    msPerSecond: 1,
    env: {},
    log: (l) => lines.push(l),
    ...client,
  })
  return { gh, octokit, lines }
}
