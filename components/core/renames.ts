/**
 * Renamed resources and components keep their state: every rename is declared here, and the
 * stack components (`RagStack` of each target and of the facade) carry a transformation that gives
 * each renamed resource an `aliases` entry for its previous name or type. The engine then moves
 * the state to the new URN instead of deleting and creating (for a database, a bucket or a key:
 * data loss). A release keeps a rename's alias for at least one minor release after `since`
 * (docs/releases.md "Renames"); test/upgrade.test.ts compares every stateful URN with the previous
 * release's, and the engine check's upgrade step checks a declared rename previews as no change.
 *
 * Children are named `<component name>-<part>` (AwsContext/K8sContext.childName): a rename is
 * declared by parts, so that it applies whatever name a team gives its stack component.
 */
import * as pulumi from "@pulumi/pulumi";

export interface Rename {
    /** The resource's type token today (`aws:s3/bucket:Bucket`, `ragstack:aws:SecureBucket`). */
    type: string;
    /**
     * The part of its name today: the name is `<prefix>-<part>` (or exactly `part`). Every
     * component's child of that part matches: include the component's part when two have one
     * (`storage-access-logs-bucket`, not `access-logs-bucket`).
     */
    part: string;
    /** What it was: the previous part of the name and/or the previous type token. */
    from: { part?: string; type?: string };
    /** The first release with the new name. */
    since: string;
    /** Why it was renamed. */
    reason: string;
}

/** The library's renames, oldest first. None so far: c28eb96 to 0.2.0 renamed no resource (test/upgrade.test.ts). */
export const RENAMES: readonly Rename[] = [];

/** The aliases a resource of `type` named `name` needs under `renames` (empty for most). */
export function renameAliases(type: string, name: string, renames: readonly Rename[] = RENAMES): pulumi.Alias[] {
    const out: pulumi.Alias[] = [];
    for (const r of renames) {
        if (r.type !== type) continue;
        const prefix = name === r.part ? "" : name.endsWith(`-${r.part}`) ? name.slice(0, -r.part.length) : undefined;
        if (prefix === undefined) continue;
        out.push({
            ...(r.from.part !== undefined ? { name: `${prefix}${r.from.part}` } : {}),
            ...(r.from.type !== undefined ? { type: r.from.type } : {}),
        });
    }
    return out;
}

/**
 * A resource transformation adding `renameAliases` to each resource it sees (a component's
 * `transformations` apply to the component and every descendant). Idempotent: an alias already
 * present is not added twice (the facade's and the target's stack both carry it).
 */
export function renameTransformation(renames: readonly Rename[] = RENAMES): pulumi.ResourceTransformation {
    return (args) => {
        const aliases = renameAliases(args.type, args.name, renames);
        if (aliases.length === 0) return undefined;
        const existing = (args.opts.aliases ?? []) as pulumi.Input<string | pulumi.Alias>[];
        const key = (a: unknown) => JSON.stringify(a);
        const missing = aliases.filter((a) => !existing.some((e) => key(e) === key(a)));
        if (missing.length === 0) return undefined;
        return { props: args.props, opts: { ...args.opts, aliases: [...existing, ...missing] } };
    };
}

/** Component options with the rename transformation added (stack components call this). */
export function withRenames<T extends pulumi.ComponentResourceOptions>(opts: T | undefined, renames: readonly Rename[] = RENAMES): T {
    return { ...(opts ?? ({} as T)), transformations: [...(opts?.transformations ?? []), renameTransformation(renames)] };
}
