/**
 * Stage 5 of the plan: files. `--out DIR` gets plan.json, the Kubernetes manifests and the
 * diagram; `--sarif`, `--junit` and `--summary` get one report each. Paths are checked before
 * the plan runs (so a bad path fails fast and nothing is written), and nothing outside the named
 * folder or file is ever written or deleted:
 *
 * - `--out` must be a new folder, an empty folder, or a folder this command wrote before (it
 *   holds the marker `.ragstack-plan.json` listing the files it wrote; only those are replaced).
 * - a report path must be new, or a report of the same kind this command wrote before.
 */
import * as fs from "fs";
import * as path from "path";
import { PlanInputError } from "./errors";

/** Marker of a folder written by `--out`: the files written, relative to it. */
export const OUT_MARKER = ".ragstack-plan.json";
const TOOL = "ragstack-plan";

/** A file to write, relative to the out folder. */
export interface OutFile {
    path: string;
    content: string;
}

/** An out folder that passed the checks. */
export interface OutFolder {
    flag: string;
    dir: string;
    /** Folders created by the checks (removed again if the plan does not complete). */
    created: string[];
    /** Files a previous run wrote (from the marker), replaced by this run. */
    previous: string[];
}

function code(e: unknown): string {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message.split("\n")[0];
}

/** Every file and symbolic link below a folder, relative to it ("/"-separated). */
function filesUnder(dir: string, rel = ""): string[] {
    const out: string[] = [];
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
            const inner = filesUnder(dir, p);
            out.push(...(inner.length > 0 ? inner : [`${p}/`]));
        } else out.push(p);
    }
    return out;
}

/** The nearest existing ancestor of a path (the path itself if it exists). */
function existingAncestor(p: string): string {
    let cur = p;
    while (!fs.existsSync(cur)) {
        const up = path.dirname(cur);
        if (up === cur) break;
        cur = up;
    }
    return cur;
}

/** mkdir -p that records the folders it created. */
function makeFolders(dir: string, flag: string): string[] {
    const created: string[] = [];
    const missing: string[] = [];
    for (let cur = dir; !fs.existsSync(cur); cur = path.dirname(cur)) missing.unshift(cur);
    for (const d of missing) {
        try {
            fs.mkdirSync(d);
            created.push(d);
        } catch (e) {
            removeFolders(created);
            throw new PlanInputError(`${flag}: cannot create the folder ${d}: ${code(e)}`);
        }
    }
    return created;
}

function removeFolders(created: string[]): void {
    for (const d of [...created].reverse()) {
        try {
            fs.rmdirSync(d);
        } catch {
            // not empty or already gone: leave it
        }
    }
}

function readMarker(dir: string): string[] | undefined {
    try {
        const m = JSON.parse(fs.readFileSync(path.join(dir, OUT_MARKER), "utf8")) as { tool?: string; files?: unknown };
        if (m.tool !== TOOL || !Array.isArray(m.files) || !m.files.every((f) => typeof f === "string")) return undefined;
        return m.files as string[];
    } catch {
        return undefined;
    }
}

/** Joins a relative path to the folder, refusing anything that would land outside it. */
function inside(dir: string, rel: string): string {
    const full = path.resolve(dir, rel);
    if (path.isAbsolute(rel) || !full.startsWith(dir + path.sep)) throw new PlanInputError(`refusing to write ${rel}: outside ${dir}`);
    return full;
}

/** Checks (and creates) the `--out` folder before the plan runs. */
export function prepareOutFolder(given: string, flag = "--out"): OutFolder {
    if (given.trim() === "") throw new PlanInputError(`${flag}: got ""; allowed: a folder path`);
    const dir = path.resolve(given);
    const allowed = "a new folder, an empty folder, or a folder this command wrote before";
    let previous: string[] = [];
    if (fs.existsSync(dir)) {
        if (!fs.statSync(dir).isDirectory()) throw new PlanInputError(`${flag}: ${given} is an existing file; allowed: ${allowed}`);
        const entries = filesUnder(dir);
        if (entries.length > 0) {
            const listed = readMarker(dir);
            const known = new Set([...(listed ?? []), OUT_MARKER]);
            const foreign = entries.filter((e) => !known.has(e));
            if (!listed || foreign.length > 0)
                throw new PlanInputError(`${flag}: ${given} holds other content (${(listed ? foreign : entries).slice(0, 3).join(", ")}); allowed: ${allowed}`);
            previous = listed;
        }
    } else {
        const ancestor = existingAncestor(dir);
        if (!fs.statSync(ancestor).isDirectory()) throw new PlanInputError(`${flag}: ${given} is below ${ancestor}, which is a file; allowed: ${allowed}`);
    }
    const created = makeFolders(dir, flag);
    const probe = path.join(dir, `.ragstack-plan-probe-${process.pid}`);
    try {
        fs.writeFileSync(probe, "");
        fs.unlinkSync(probe);
    } catch (e) {
        removeFolders(created);
        throw new PlanInputError(`${flag}: cannot write in ${given}: ${code(e)}`);
    }
    return { flag, dir, created, previous };
}

/** Removes what the checks created when the plan does not complete. */
export function abandonOutFolder(out: OutFolder): void {
    removeFolders(out.created);
}

/** Writes the files (replacing the previous run's) and the marker; returns the absolute paths. */
export function writeOutFolder(out: OutFolder, files: OutFile[]): string[] {
    for (const f of files) inside(out.dir, f.path);
    for (const old of out.previous) {
        const full = inside(out.dir, old);
        if (fs.existsSync(full) && fs.statSync(full).isFile()) fs.unlinkSync(full);
    }
    // Folders the previous run left empty.
    for (const old of [...new Set(out.previous.map((f) => path.dirname(f)).filter((d) => d !== "."))].sort().reverse()) {
        for (let d = old; d !== "."; d = path.dirname(d)) {
            try {
                fs.rmdirSync(inside(out.dir, d));
            } catch {
                break;
            }
        }
    }
    const written: string[] = [];
    try {
        for (const f of files) {
            const full = inside(out.dir, f.path);
            fs.mkdirSync(path.dirname(full), { recursive: true });
            fs.writeFileSync(full, f.content);
            written.push(full);
        }
        fs.writeFileSync(path.join(out.dir, OUT_MARKER), JSON.stringify({ tool: TOOL, files: files.map((f) => f.path) }, null, 2) + "\n");
    } catch (e) {
        for (const w of written) fs.rmSync(w, { force: true });
        throw new PlanInputError(`${out.flag}: cannot write in ${out.dir}: ${code(e)}`);
    }
    return written;
}

/** A report file that passed the checks. */
export interface ReportFile {
    flag: string;
    file: string;
    created: string[];
}

/**
 * Checks a report path before the plan runs: a new file (its folder is created), or a report
 * that `recognise` says this command wrote before. Never an existing folder or another file.
 */
export function prepareReportFile(flag: string, given: string, recognise: (text: string) => boolean): ReportFile {
    if (given.trim() === "") throw new PlanInputError(`${flag}: got ""; allowed: a file path`);
    const file = path.resolve(given);
    const allowed = "a new file, or a report this command wrote before";
    if (fs.existsSync(file)) {
        const st = fs.statSync(file);
        if (st.isDirectory()) throw new PlanInputError(`${flag}: ${given} is a folder; allowed: ${allowed}`);
        let text = "";
        try {
            text = st.isFile() && st.size < 64 * 1024 * 1024 ? fs.readFileSync(file, "utf8") : "";
        } catch (e) {
            throw new PlanInputError(`${flag}: cannot read ${given}: ${code(e)}`);
        }
        if (!recognise(text)) throw new PlanInputError(`${flag}: ${given} is an existing file that this command did not write; allowed: ${allowed}`);
        return { flag, file, created: [] };
    }
    const ancestor = existingAncestor(path.dirname(file));
    if (!fs.statSync(ancestor).isDirectory()) throw new PlanInputError(`${flag}: ${given} is below ${ancestor}, which is a file; allowed: ${allowed}`);
    const created = makeFolders(path.dirname(file), flag);
    try {
        fs.writeFileSync(file, "", { flag: "wx" });
        fs.unlinkSync(file);
    } catch (e) {
        removeFolders(created);
        throw new PlanInputError(`${flag}: cannot write ${given}: ${code(e)}`);
    }
    return { flag, file, created };
}

export function abandonReportFile(r: ReportFile): void {
    removeFolders(r.created);
}

export function writeReportFile(r: ReportFile, content: string): void {
    try {
        fs.writeFileSync(r.file, content);
    } catch (e) {
        throw new PlanInputError(`${r.flag}: cannot write ${r.file}: ${code(e)}`);
    }
}
