/** The page served at app routes when the web app has not been built: says so, and how to fix it. */
import { cspWithStyleHash } from './security-headers.js';

const CSS =
  'body{font-family:system-ui,sans-serif;margin:0;min-height:100vh;display:grid;place-items:center;background:#eef1f7;color:#121826}' +
  'main{max-width:32rem;margin:1rem;padding:2rem;background:#fff;border-radius:1rem;box-shadow:0 4px 16px rgb(16 24 40/8%)}' +
  'h1{font-size:1.4rem;margin-top:0}code{background:#eef1f7;padding:.1rem .35rem;border-radius:.3rem}';

export const UNAVAILABLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Confide is starting · web app unavailable</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>The Confide web app is not available</h1>
<p>This hub is running, but its web messenger has not been built, so there is nothing to show here yet.</p>
<p>If you operate this hub, run <code>npm run build</code> and restart it. The APIs are unaffected.</p>
</main>
</body>
</html>
`;

/** The CSP for the page above: strict, plus the hash of its one inline stylesheet. */
export const UNAVAILABLE_CSP = cspWithStyleHash(CSS);
