/**
 * The image lock: the default third-party images of the presets and components, each with the
 * digest it was resolved to (`images.lock.json` at the package's root, shipped in the npm
 * package). A default is `repository:tag@sha256:<digest>` once `tools/pin-images.sh` has resolved
 * its digest (the release workflow does, and refuses to publish an unpinned default), and
 * `repository:tag` while the lock holds `null` for it.
 *
 * The lock is read once, when this module loads (plan and deploy time), from the package's own
 * file; `RAGSTACK_IMAGE_LOCK` names another lock file of the same form instead (the tests use it
 * to run the program with a filled lock).
 */
import * as fs from "fs";
import * as path from "path";

/** The lock's file name, at the package's root. */
export const IMAGE_LOCK_FILE = "images.lock.json";
/** The script that resolves the digests (crane or skopeo) and writes the lock. */
export const PIN_IMAGES_SCRIPT = "tools/pin-images.sh";

/** One default image of the lock. */
export interface LockedImage {
    /** As the components reference it, without tag or digest (`ollama/ollama`, `ghcr.io/cloudnative-pg/postgresql`). */
    repository: string;
    tag: string;
    /** `sha256:<64 hex>` of the tag's manifest (an index for multi-platform images), or null until resolved. */
    digest: string | null;
    /** The components and settings that use it by default. */
    usedBy: string;
    /** When and with what the digest was resolved (null while the digest is). */
    resolved: { at: string; with: string } | null;
}

export interface ImageLock {
    images: Record<string, LockedImage>;
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const REPOSITORY =
    /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** The lock's text, checked: every entry a repository, a tag other than latest, a digest or null, what uses it, and how it was resolved. */
export function parseImageLock(text: string, source = IMAGE_LOCK_FILE): ImageLock {
    const fail = (field: string, got: unknown, allowed: string): never => {
        throw new Error(`${source}: ${field}: got ${JSON.stringify(got)}; allowed: ${allowed}`);
    };
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new Error(`${source}: not JSON (${(e as Error).message})`);
    }
    const images = (doc as { images?: unknown } | null)?.images;
    if (!images || typeof images !== "object" || Array.isArray(images) || Object.keys(images).length === 0) fail("images", images, "an object of named images");
    for (const [name, e] of Object.entries(images as Record<string, Record<string, unknown>>)) {
        const f = `images.${name}`;
        if (!/^[a-z][a-z0-9-]*$/.test(name)) fail(f, name, "a lower-case name of letters, digits and dashes");
        if (!e || typeof e !== "object") fail(f, e, "an object with repository, tag, digest, usedBy and resolved");
        if (typeof e.repository !== "string" || !REPOSITORY.test(e.repository))
            fail(`${f}.repository`, e.repository, "[registry/]path of the image, lower-case, without tag or digest");
        if (typeof e.tag !== "string" || !TAG.test(e.tag) || e.tag === "latest") fail(`${f}.tag`, e.tag, "a tag other than latest");
        if (e.digest !== null && (typeof e.digest !== "string" || !DIGEST.test(e.digest)))
            fail(`${f}.digest`, e.digest, `null or sha256:<64 hex> (${PIN_IMAGES_SCRIPT} writes it)`);
        if (typeof e.usedBy !== "string" || e.usedBy.trim() === "") fail(`${f}.usedBy`, e.usedBy, "the components and settings that use it");
        const r = e.resolved as { at?: unknown; with?: unknown } | null;
        if (e.digest === null && r !== null) fail(`${f}.resolved`, r, "null while the digest is null");
        if (e.digest !== null && (!r || typeof r.at !== "string" || Number.isNaN(Date.parse(r.at)) || typeof r.with !== "string" || r.with === ""))
            fail(`${f}.resolved`, r, "{ at: <ISO date>, with: <tool and version> } when the digest is set");
    }
    return doc as ImageLock;
}

/** `repository:tag@digest`, or `repository:tag` while the digest is null. */
export function lockedReference(e: LockedImage): string {
    return `${e.repository}:${e.tag}${e.digest ? `@${e.digest}` : ""}`;
}

/** Where the lock is read from: RAGSTACK_IMAGE_LOCK, or the package's root (dist/components/core is three levels below it). */
export function imageLockPath(): string {
    return process.env.RAGSTACK_IMAGE_LOCK ? path.resolve(process.env.RAGSTACK_IMAGE_LOCK) : path.resolve(__dirname, "..", "..", "..", IMAGE_LOCK_FILE);
}

function loadImageLock(): ImageLock {
    const file = imageLockPath();
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new Error(
            `the image lock ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): the package ships ${IMAGE_LOCK_FILE}`,
        );
    }
    return parseImageLock(text, file);
}

/** The lock this process uses. */
export const IMAGE_LOCK: ImageLock = loadImageLock();

/** The default image of a lock entry, with its digest when the lock has one. */
export function defaultImage(name: string, lock: ImageLock = IMAGE_LOCK): string {
    const e = lock.images[name];
    if (!e) throw new Error(`${IMAGE_LOCK_FILE} has no image "${name}" (it has ${Object.keys(lock.images).join(", ")})`);
    return lockedReference(e);
}

/** The names of the lock's pinned and unpinned images. */
export function lockState(lock: ImageLock = IMAGE_LOCK): { pinned: string[]; unpinned: string[] } {
    const names = Object.keys(lock.images);
    return { pinned: names.filter((n) => lock.images[n].digest), unpinned: names.filter((n) => !lock.images[n].digest) };
}

/** ECR Public's registry host, whose images the AWS target pulls through the account's cache. */
export const ECR_PUBLIC_HOST = "public.ecr.aws";
/** Repository prefix of the ECR pull-through cache of ECR Public (`EcsCluster.ecrPublicCache`; `viaEcrPublicCache`). */
export const ECR_PUBLIC_CACHE_PREFIX = "ecr-public";

/** Docker Hub's host names: an image named with any of them is the same as without a host. */
const DOCKER_HUB = /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//;

/**
 * The lock entry an image reference is the default of, pinned or not: the reference is
 * `repository:tag` itself (a Docker Hub image also with `docker.io/`, `index.docker.io/` or
 * `registry-1.docker.io/`, and `library/` for an official image), or the same behind a registry
 * mirror (`withRegistry`: `<mirror>/docker.io/ollama/ollama:0.12.6`), or, with `ecrPublicCache`
 * (the AWS target, whose ECS helpers `viaEcrPublicCache` rewrites), the ECR pull-through cache of
 * ECR Public (`<registry>/ecr-public/aws-cli/aws-cli:2.31.18`, where the digest is dropped even
 * once pinned; `viaEcrPublicCache` is then true). Another repository of the same name (a team's
 * own mirror, `…/mirror/ollama/ollama:0.12.6`) is not the default. A reference that carries a
 * digest is not matched: it is pinned already.
 */
export function lockedDefault(
    image: string,
    lock: ImageLock = IMAGE_LOCK,
    opts: { ecrPublicCache?: boolean } = {},
): { name: string; entry: LockedImage; viaEcrPublicCache: boolean } | undefined {
    const hub = DOCKER_HUB.test(image) ? `docker.io/${image.replace(DOCKER_HUB, "")}` : undefined;
    for (const [name, entry] of Object.entries(lock.images)) {
        const ref = `${entry.repository}:${entry.tag}`;
        const first = entry.repository.split("/")[0];
        const hasHost = entry.repository.includes("/") && (first.includes(".") || first.includes(":"));
        const canonical = hasHost ? ref : `docker.io/${entry.repository.includes("/") ? "" : "library/"}${ref}`;
        const viaCache =
            opts.ecrPublicCache && first === ECR_PUBLIC_HOST ? `/${ECR_PUBLIC_CACHE_PREFIX}/${ref.slice(`${ECR_PUBLIC_HOST}/`.length)}` : undefined;
        if (image === ref || image.endsWith(`/${canonical}`) || hub === canonical || hub === `docker.io/${ref}`)
            return { name, entry, viaEcrPublicCache: false };
        if (viaCache && image.endsWith(viaCache)) return { name, entry, viaEcrPublicCache: true };
    }
    return undefined;
}

/** The lock entry an image reference is a default of (as `lockedDefault`), when the lock holds no digest for it. */
export function unpinnedDefault(
    image: string,
    lock: ImageLock = IMAGE_LOCK,
    opts: { ecrPublicCache?: boolean } = {},
): { name: string; entry: LockedImage } | undefined {
    const d = lockedDefault(image, lock, opts);
    return d && !d.entry.digest ? { name: d.name, entry: d.entry } : undefined;
}

/** What the digest rules say of an unpinned default (`what` names the container or cluster): the lock entry, and the script that fills it. */
export function unpinnedDefaultMessage(what: string, image: string, lock: ImageLock = IMAGE_LOCK): string {
    const locked = unpinnedDefault(image, lock, { ecrPublicCache: true });
    return `${what} runs ${image}, the default image "${locked?.name}" of ${IMAGE_LOCK_FILE}, whose digest is not resolved yet: run ${PIN_IMAGES_SCRIPT} where ${locked?.entry.repository}'s registry is reachable (the release does, and refuses to publish an unpinned default)`;
}

/** An image reference pinned by digest (`…@sha256:<64 hex>`). */
export const BY_DIGEST = /@sha256:[a-f0-9]{64}$/;

/**
 * How a production image stands with respect to digests, as the digest rules of both targets
 * judge it:
 * - `pinned`: the reference carries its digest;
 * - `unpinned-default`: a library default whose digest the lock does not hold yet (advisory: the
 *   release fills the lock, `tools/pin-images.sh` does it anywhere a registry is reachable);
 * - `cached-default`: with `ecrPublicCache` (the AWS target only), a default pulled through the
 *   ECR pull-through cache, which fills by tag only, so the digest is dropped even once the lock
 *   holds it (`viaEcrPublicCache`); elsewhere such a path is the stack's own image;
 * - `unpinned`: anything else without a digest (an image the stack sets, or a default's tag
 *   without the digest the lock holds): the mandatory rule's finding.
 */
export function digestStanding(
    image: string,
    lock: ImageLock = IMAGE_LOCK,
    opts: { ecrPublicCache?: boolean } = {},
): "pinned" | "unpinned-default" | "cached-default" | "unpinned" {
    if (BY_DIGEST.test(image)) return "pinned";
    const d = lockedDefault(image, lock, opts);
    if (d && !d.entry.digest) return "unpinned-default";
    if (d?.viaEcrPublicCache) return "cached-default";
    return "unpinned";
}
