/** Rendered Kubernetes manifests: reading a render-to-directory folder and comparing objects. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** A Kubernetes object's identity. */
export function keyOf(o: any): string {
    return `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
}

/** Objects the provider rendered (every YAML document under the folder). */
export function renderedObjects(dir: string): Map<string, any> {
    const out = new Map<string, any>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (/\.ya?ml$/.test(e.name))
                for (const doc of YAML.parseAllDocuments(fs.readFileSync(p, "utf8"))) {
                    const o = doc.toJS();
                    if (o) out.set(keyOf(o), o);
                }
        }
    };
    walk(dir);
    return out;
}

/** Secret data is generated and applied by Pulumi: the offline plan leaves it out on purpose. */
export function withoutSecretData(o: any): any {
    const c = JSON.parse(JSON.stringify(o));
    if (c.kind === "Secret") {
        delete c.data;
        delete c.stringData;
        if (c.metadata?.annotations) {
            delete c.metadata.annotations["ragstack.io/secret-data"];
            if (Object.keys(c.metadata.annotations).length === 0) delete c.metadata.annotations;
        }
    }
    return c;
}

/** The first differing path of two JSON values, for messages. */
export function firstDifference(a: any, b: any, at = ""): string | undefined {
    if (JSON.stringify(a) === JSON.stringify(b)) return undefined;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || Array.isArray(a) !== Array.isArray(b))
        return `${at || "."}: rendered ${JSON.stringify(a)?.slice(0, 120)} vs offline ${JSON.stringify(b)?.slice(0, 120)}`;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const d = firstDifference(a[k], b[k], `${at}.${k}`);
        if (d) return d;
    }
    return undefined;
}
