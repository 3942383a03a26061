import { settingsFromConfig } from "../../environments/config";

/** Stack config values (key -> text, as `pulumi config` holds them) resolved as the program resolves them. */
export function resolveConfigValues(values: Record<string, string>, awsRegion: string | undefined = "eu-west-1") {
    return settingsFromConfig(
        (k) => values[k],
        "rag-platform",
        awsRegion,
        Object.keys(values).map((k) => `rag-platform:${k}`),
        "test",
    );
}
