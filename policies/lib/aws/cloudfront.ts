import { list, ResourceRule, StackResource, StackRule } from "../framework";
import { T, finding, referenced, referencing } from "./common";

/**
 * Viewer security policies of TLS 1.2 and later ("Supported protocols and ciphers between viewers
 * and CloudFront": https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html).
 */
export const CLOUDFRONT_TLS12_POLICIES = ["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

/** An S3 origin: its domain is a bucket endpoint (REST or website) or it has an S3 origin config. */
function isS3Origin(o: any): boolean {
    return !!o.s3OriginConfig || /\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com(\.cn)?$/.test(String(o.domainName ?? ""));
}

export const distributionRequireOac: ResourceRule = {
    kind: "resource",
    name: "aws-cloudfront-distribution-require-oac",
    description:
        "CloudFront reaches S3 origins only through Origin Access Control: no origin access identity (legacy), no public website endpoint (the bucket stays private).",
    severity: "high",
    category: "least-privilege",
    target: "aws",
    frameworks: { "NIST-800-53": ["AC-3", "AC-6"], "PCI-DSS": ["7.2.1"] },
    remediation: "Give each S3 origin an originAccessControlId (signingBehavior always, sigv4) and a bucket policy for this distribution only.",
    types: [T.distribution],
    check: (p) =>
        list<any>(p.origins)
            .filter(isS3Origin)
            .flatMap((o) => [
                ...(/\.s3-website[.-]/.test(String(o.domainName)) ? [`origin ${o.originId} is a public S3 website endpoint`] : []),
                ...(o.s3OriginConfig?.originAccessIdentity ? [`origin ${o.originId} uses an origin access identity (legacy), not OAC`] : []),
                ...(!o.originAccessControlId ? [`origin ${o.originId} has no origin access control`] : []),
            ]),
};

export const distributionRequireTls: ResourceRule = {
    kind: "resource",
    name: "aws-cloudfront-distribution-require-tls",
    description: "CloudFront serves HTTPS only with a TLS 1.2+ viewer policy and its own certificate, and reaches custom origins over TLS 1.2 only.",
    severity: "high",
    category: "encryption",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-8", "SC-13"], "PCI-DSS": ["4.2.1"], "ISO-27001": ["A.8.24"] },
    remediation:
        "viewerCertificate with an ACM certificate, sslSupportMethod sni-only and minimumProtocolVersion TLSv1.2_2021; viewerProtocolPolicy redirect-to-https or https-only; custom origins https-only with originSslProtocols [TLSv1.2].",
    params: { allowedPolicies: { type: "array", default: CLOUDFRONT_TLS12_POLICIES, description: "Allowed viewer security policies." } },
    types: [T.distribution],
    check: (p, ctx) => {
        const out: string[] = [];
        const cert = p.viewerCertificate ?? {};
        if (cert.cloudfrontDefaultCertificate === true || !(cert.acmCertificateArn || cert.iamCertificateId))
            out.push("the distribution serves the default *.cloudfront.net certificate (its TLS policy cannot be raised above TLSv1)");
        else if (!(ctx.config.allowedPolicies as string[]).includes(cert.minimumProtocolVersion))
            out.push(`viewer TLS policy ${cert.minimumProtocolVersion ?? "(default)"} is below TLS 1.2`);
        for (const b of [p.defaultCacheBehavior, ...list<any>(p.orderedCacheBehaviors)].filter(Boolean))
            if (!["redirect-to-https", "https-only"].includes(b.viewerProtocolPolicy)) out.push(`behaviour ${b.pathPattern ?? "default"} serves plain HTTP`);
        for (const o of list<any>(p.origins).filter((x) => x.customOriginConfig)) {
            const c = o.customOriginConfig;
            if (c.originProtocolPolicy !== "https-only") out.push(`origin ${o.originId} is reached without TLS (${c.originProtocolPolicy})`);
            const weak = list<string>(c.originSslProtocols).filter((x) => x !== "TLSv1.2");
            if (weak.length) out.push(`origin ${o.originId} allows ${weak.join(", ")}`);
        }
        return out;
    },
};

export const distributionRequireWaf: StackRule = {
    kind: "stack",
    name: "aws-cloudfront-distribution-require-waf",
    description: "Every CloudFront distribution has a CLOUDFRONT-scope WAFv2 web ACL that logs.",
    severity: "high",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["SC-7", "SI-4"], "PCI-DSS": ["6.4.2"] },
    remediation: "Set webAclId to a WebAcl of scope CLOUDFRONT (created in us-east-1) with a WebAclLoggingConfiguration.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.distribution)
            .flatMap((d) => {
                if (!d.props.webAclId) return [finding(d, "no WAF web ACL")];
                const acl = referenced(resources, d, "webAclId", [T.waf]);
                if (!acl) return [];
                if (acl.props.scope !== "CLOUDFRONT") return [finding(d, `its web ACL has scope ${acl.props.scope}, not CLOUDFRONT`)];
                return referencing(resources, [T.wafLogging], "resourceArn", acl).length > 0 ? [] : [finding(d, "its web ACL does not log")];
            }),
};

export const distributionRequireLogging: StackRule = {
    kind: "stack",
    name: "aws-cloudfront-distribution-require-logging",
    description: "Every CloudFront distribution writes access logs: standard logging (v2) delivered by CloudWatch Logs, or legacy logging to a bucket.",
    severity: "medium",
    category: "compliance",
    target: "aws",
    frameworks: { "NIST-800-53": ["AU-2", "AU-12"], "PCI-DSS": ["10.2.1"], "ISO-27001": ["A.8.15"] },
    remediation: "Add a LogDeliverySource (logType ACCESS_LOGS, the distribution's ARN, us-east-1) with a LogDelivery to a destination.",
    check: (resources) =>
        resources
            .filter((r) => r.type === T.distribution)
            .flatMap((d) => {
                if (d.props.loggingConfig?.bucket) return [];
                const sources = referencing(resources, [T.logDeliverySource], "resourceArn", d).filter((s) => s.props.logType === "ACCESS_LOGS");
                const delivered = sources.some((s: StackResource) => referencing(resources, [T.logDelivery], "deliverySourceName", s).length > 0);
                return delivered ? [] : [finding(d, "no access logs are delivered")];
            }),
};
