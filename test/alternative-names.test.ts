/**
 * Extra certificate names (`edgeAlternativeNames`, issue 26): each name is on the certificate and
 * served at the edge on both targets, wildcards included; bad names are refused by field.
 */
import * as assert from "assert";
import { resolveConfigValues } from "./harness/config";
import { runProgram } from "../testing/program";

const NAMES = JSON.stringify(["www.rag.staging.example.gov", "*.rag.staging.example.gov"]);

describe("edge: alternative names (SANs and wildcards)", function () {
    this.timeout(120_000);

    it("AWS: the ACM certificate lists them, one validation record per name less its wildcard, an alias each", async () => {
        const run = await runProgram("staging", { target: "aws", edgeAlternativeNames: NAMES });
        const cert = run.resources.one("aws:acm/certificate:Certificate").inputs as any;
        assert.strictEqual(cert.domainName, "rag.staging.example.gov");
        assert.deepStrictEqual(cert.subjectAlternativeNames, JSON.parse(NAMES));
        const records = run.resources.ofType("aws:route53/record:Record");
        // rag.staging… and *.rag.staging… share a validation record; www.rag.staging… has its own.
        const validation = records.filter((r) => r.name.includes("cert-validation"));
        assert.deepStrictEqual(validation.map((r) => r.name).sort(), [
            "rag-aws-edge-cert-validation",
            "rag-aws-edge-cert-validation-www-rag-staging-example-gov",
        ]);
        const v = run.resources.one("aws:acm/certificateValidation:CertificateValidation").inputs as any;
        assert.strictEqual(v.validationRecordFqdns.length, 2);
        const aliases = records.filter((r) => (r.inputs as any).type === "A").map((r) => (r.inputs as any).name);
        assert.deepStrictEqual(aliases.sort(), ["*.rag.staging.example.gov", "rag.staging.example.gov", "www.rag.staging.example.gov"]);
    });

    it("AWS: without alternative names the certificate has none and the URNs stay as before", async () => {
        const run = await runProgram("staging", { target: "aws" });
        assert.strictEqual((run.resources.one("aws:acm/certificate:Certificate").inputs as any).subjectAlternativeNames, undefined);
        assert.deepStrictEqual(
            run.resources
                .ofType("aws:route53/record:Record")
                .map((r) => r.name)
                .sort(),
            ["rag-aws-edge-alias", "rag-aws-edge-cert-validation"],
        );
    });

    it("Kubernetes (Gateway): the certificate's dnsNames, one HTTPS and one HTTP listener per name, routes on every listener", async () => {
        const run = await runProgram("staging", { target: "kubernetes", edgeAlternativeNames: NAMES });
        const custom = (kind: string) => run.resources.all.filter((r) => (r.inputs as any).kind === kind);
        const [cert] = custom("Certificate");
        const hosts = ["rag.staging.example.gov", ...JSON.parse(NAMES)];
        assert.deepStrictEqual((cert.inputs as any).spec.dnsNames, hosts);
        const [gw] = custom("Gateway");
        const listeners = (gw.inputs as any).spec.listeners;
        assert.deepStrictEqual(
            listeners.map((l: any) => `${l.name} ${l.protocol} ${l.hostname}`),
            hosts.flatMap((h, i) => [`${i ? `https-${i}` : "https"} HTTPS ${h}`, `${i ? `http-${i}` : "http"} HTTP ${h}`]),
        );
        for (const route of custom("HTTPRoute")) {
            assert.deepStrictEqual((route.inputs as any).spec.hostnames, hosts);
            assert.strictEqual((route.inputs as any).spec.parentRefs.length, hosts.length);
        }
    });

    it("Kubernetes (Ingress): TLS hosts and one rule per name", async () => {
        const run = await runProgram("staging", { target: "kubernetes", k8sEdgeMode: "ingress", k8sIngressClassName: "nginx", edgeAlternativeNames: NAMES });
        const ing = run.resources.one("kubernetes:networking.k8s.io/v1:Ingress").inputs as any;
        const hosts = ["rag.staging.example.gov", ...JSON.parse(NAMES)];
        assert.deepStrictEqual(ing.spec.tls[0].hosts, hosts);
        assert.deepStrictEqual(
            ing.spec.rules.map((r: any) => r.host),
            hosts,
        );
    });

    const base = { target: "kubernetes", environment: "staging", domain: "rag.example.gov", apiImage: "ghcr.io/example-gov/rag-api:1.4.2" };
    for (const [names, message] of [
        [["rag.example.gov"], /rag-platform:edgeAlternativeNames \(edge\.alternativeNames\[0\]\): got "rag\.example\.gov"; allowed: a name other than domain/],
        [["a.*.example.gov"], /edgeAlternativeNames \(edge\.alternativeNames\[0\]\).*allowed: a lower-case host name, a wildcard only as its leftmost label/],
        [["WWW.example.gov"], /edgeAlternativeNames \(edge\.alternativeNames\[0\]\).*allowed: a lower-case host name/],
        [["a.example.gov", "a.example.gov"], /edgeAlternativeNames/],
        [Array.from({ length: 10 }, (_, i) => `n${i}.example.gov`), /allowed: at most 9 names \(an ACM certificate holds 10 names by default/],
    ] as const)
        it(`refuses ${JSON.stringify(names).slice(0, 40)} naming the key`, () => {
            assert.throws(() => resolveConfigValues({ ...base, edgeAlternativeNames: JSON.stringify(names) }), message);
        });
});
