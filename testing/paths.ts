/** Where things are: this repository's root and this package's root. No heavy imports. */
import * as fs from "fs";
import * as path from "path";

export const PACKAGE_NAME = "@ragstack/pulumi-rag-platform";

/** Root of the repository (where Pulumi.yaml and package.json live), from the compiled or the source tree. */
export function repoRoot(): string {
    let dir = __dirname;
    for (let i = 0; i < 6; i++) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json"))) return dir;
        dir = path.dirname(dir);
    }
    throw new Error("cannot find the repository root (Pulumi.yaml) above " + __dirname);
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
