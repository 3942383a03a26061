/**
 * Entry point of the Pulumi component package (`PulumiPlugin.yaml`). The Node.js language host
 * runs it with `@pulumi/pulumi/cmd/run-plugin`, which finds the exported component classes and
 * serves them with the SDK's component provider: the schema (`pulumi package get-schema`) is
 * read from these TypeScript sources, `Construct` builds the components. The package is named by
 * `package.json` here (`ragstack`), so the type token is `ragstack:index:RagPlatform`.
 */
export { RagPlatform } from "./rag-platform";
