/** Where things are: this repository's root and this package's root. No heavy imports. */
import * as fs from "fs";
import * as path from "path";

export const PACKAGE_NAME = "@ragstack/pulumi-rag-platform";

/**
 * Root of the repository (this package's root when it holds Pulumi.yaml: a checkout, compiled or
 * source tree). An installed package has no Pulumi.yaml, and a consumer's project above
 * node_modules is not this repository.
 */
export function repoRoot(): string {
    const root = packageRoot();
    if (fs.existsSync(path.join(root, "Pulumi.yaml"))) return root;
    throw new Error(`${root} is an installed package, not the repository (no Pulumi.yaml)`);
}

/** The repository root, or null when this code runs from an installed package. */
export function repoRootOrNull(): string | null {
    try {
        return repoRoot();
    } catch {
        return null;
    }
}

/** Root of this package (its package.json), in a checkout or installed under node_modules. */
export function packageRoot(): string {
    let dir = __dirname;
    for (let i = 0; i < 6; i++) {
        const file = path.join(dir, "package.json");
        if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, "utf8")).name === PACKAGE_NAME) return dir;
        dir = path.dirname(dir);
    }
    throw new Error(`cannot find the package root of ${PACKAGE_NAME} above ${__dirname}`);
}
