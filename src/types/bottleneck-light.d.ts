/**
 * `bottleneck/light.js` is Bottleneck without its Redis datastores, the build the Octokit
 * throttling plugin imports. The package ships types for its main entry only.
 */
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
