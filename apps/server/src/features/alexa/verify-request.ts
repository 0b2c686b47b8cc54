/**
 * Verifies that a request really comes from Alexa, as the Alexa Skills Kit requires of a
 * web-service skill (in this order): the `SignatureCertChainUrl` points at Amazon's
 * certificate bucket (https, host s3.amazonaws.com, path under /echo.api/, port 443); the
 * chain fetched from it is currently valid, chains up to a trusted root, and its leaf
 * names `echo-api.amazon.com`; `Signature-256` is an RSA-SHA256 signature of the raw body
 * by that leaf; the request's timestamp is within 150 s; and it is for this skill.
 * The certificate fetcher and the trust store are injectable (tests use a local CA).
 */
import { createVerify, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

export const ALEXA_SAN = 'echo-api.amazon.com';
export const TIMESTAMP_TOLERANCE_MS = 150_000;

export class AlexaVerificationError extends Error {
  override readonly name = 'AlexaVerificationError';
}

export interface AlexaVerifierOptions {
  skillId: string;
  /** PEM roots the chain must end at; default: Node's bundled Mozilla roots. */
  trustedRoots?: readonly string[];
  /** Fetches the PEM chain at a (checked) URL; default: fetch with a 3 s timeout. */
  fetchChain?: (url: string) => Promise<string>;
  now: () => number;
}

/** Whether a `SignatureCertChainUrl` satisfies Amazon's rules; returns the reason when it does not. */
export function certUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'https:') return 'not https';
  if (url.hostname !== 's3.amazonaws.com') return 'not s3.amazonaws.com';
  if (url.port !== '' && url.port !== '443') return 'not port 443';
  // The normalised path (URL resolves `..`) must start with /echo.api/, case-sensitively.
  if (!url.pathname.startsWith('/echo.api/')) return 'not under /echo.api/';
  return undefined;
}

const defaultFetch = async (url: string): Promise<string> => {
  const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(3_000) });
  if (!res.ok) throw new AlexaVerificationError(`certificate chain fetch answered ${res.status}`);
  return res.text();
};

function splitPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

export class AlexaVerifier {
  readonly #options: AlexaVerifierOptions;
  readonly #roots: X509Certificate[];
  readonly #chains = new Map<string, { leaf: X509Certificate; chain: X509Certificate[] }>();
  constructor(options: AlexaVerifierOptions) {
    this.#options = options;
    this.#roots = (options.trustedRoots ?? rootCertificates).map((pem) => new X509Certificate(pem));
  }

  /**
   * Checks a request; returns its parsed body.
   * @throws AlexaVerificationError naming the first rule it breaks.
   */
  async verify(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<AlexaRequestEnvelope> {
    const chainUrl = one(headers['signaturecertchainurl']);
    const signature = one(headers['signature-256']);
    if (chainUrl === undefined || signature === undefined)
      throw new AlexaVerificationError('missing SignatureCertChainUrl or Signature-256');
    const problem = certUrlProblem(chainUrl);
    if (problem !== undefined) throw new AlexaVerificationError(`certificate URL ${problem}`);
    const { leaf } = await this.#chain(new URL(chainUrl).href);
    const verifier = createVerify('RSA-SHA256');
    verifier.update(rawBody);
    if (
      !/^[A-Za-z0-9+/=]{16,2048}$/.test(signature) ||
      !verifier.verify(leaf.publicKey, Buffer.from(signature, 'base64'))
    ) {
      throw new AlexaVerificationError('signature does not match the body');
    }
    let body: AlexaRequestEnvelope;
    try {
      body = JSON.parse(rawBody.toString('utf8')) as AlexaRequestEnvelope;
    } catch {
      throw new AlexaVerificationError('body is not JSON');
    }
    const at = Date.parse(String(body?.request?.timestamp));
    if (!Number.isFinite(at) || Math.abs(this.#options.now() - at) > TIMESTAMP_TOLERANCE_MS)
      throw new AlexaVerificationError('timestamp outside 150 seconds');
    const appId = body.context?.System?.application?.applicationId ?? body.session?.application?.applicationId;
    if (appId !== this.#options.skillId) throw new AlexaVerificationError('request is for another skill');
    return body;
  }

  async #chain(url: string): Promise<{ leaf: X509Certificate; chain: X509Certificate[] }> {
    const now = this.#options.now();
    const cached = this.#chains.get(url);
    if (cached !== undefined && valid(cached.leaf, now)) return cached;
    const pem = await (this.#options.fetchChain ?? defaultFetch)(url);
    let chain: X509Certificate[];
    try {
      chain = splitPem(pem);
    } catch {
      throw new AlexaVerificationError('certificate chain does not parse');
    }
    const leaf = chain[0];
    if (leaf === undefined) throw new AlexaVerificationError('certificate chain is empty');
    for (const cert of chain)
      if (!valid(cert, now)) throw new AlexaVerificationError('a certificate of the chain is expired or not yet valid');
    if (leaf.checkHost(ALEXA_SAN, { subject: 'never' }) === undefined)
      throw new AlexaVerificationError(`certificate is not for ${ALEXA_SAN}`);
    for (let i = 0; i + 1 < chain.length; i++) {
      const child = chain[i] as X509Certificate;
      const parent = chain[i + 1] as X509Certificate;
      if (!parent.ca || !child.checkIssued(parent) || !child.verify(parent.publicKey))
        throw new AlexaVerificationError('certificate chain is broken');
    }
    const top = chain[chain.length - 1] as X509Certificate;
    const anchored = this.#roots.some(
      (root) =>
        valid(root, now) &&
        (top.fingerprint256 === root.fingerprint256 ||
          (root.ca && top.checkIssued(root) && top.verify(root.publicKey))),
    );
    if (!anchored) throw new AlexaVerificationError('certificate chain does not reach a trusted root');
    const entry = { leaf, chain };
    if (this.#chains.size >= 16) this.#chains.clear();
    this.#chains.set(url, entry);
    return entry;
  }
}

const valid = (cert: X509Certificate, now: number) =>
  Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The parts of an Alexa request envelope the endpoint reads. */
export interface AlexaRequestEnvelope {
  version?: string;
  session?: { new?: boolean; application?: { applicationId?: string }; user?: { accessToken?: string } };
  context?: { System?: { application?: { applicationId?: string }; user?: { accessToken?: string } } };
  request?: { type?: string; timestamp?: string; locale?: string; intent?: { name?: string } };
}
