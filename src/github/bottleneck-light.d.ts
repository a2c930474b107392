// bottleneck's light build (no Redis clustering), the one @octokit/plugin-retry and
// @octokit/plugin-throttling import; the package types only its main entry, whose API it shares.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
