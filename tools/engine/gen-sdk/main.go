// Command gen-sdk generates the Python and Go SDKs of a Pulumi package from its schema, with the
// code generators the Python and Go language hosts call for `pulumi package add` and
// `pulumi package gen-sdk` (github.com/pulumi/pulumi/pkg/v3/codegen, at the CLI's version). The
// language hosts themselves are not served by the Go module proxy; their generators are.
//
// Usage: gen-sdk <schema.json> <out dir>   (writes <out>/python and <out>/go)
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"

	"github.com/blang/semver"
)

// noPackages is the loader for a schema that references no other package (RagPlatform's inputs
// and outputs are plain types): any lookup is an error naming the package.
type noPackages struct{}

func (noPackages) LoadPackage(pkg string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; this generator loads none", pkg)
}

func (l noPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, d.Version)
}

func (noPackages) LoadPackageReference(pkg string, _ *semver.Version) (schema.PackageReference, error) {
	return nil, fmt.Errorf("the schema references package %q; this generator loads none", pkg)
}

func (l noPackages) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, d.Version)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-sdk <schema.json> <out dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-sdk:", err)
		os.Exit(1)
	}
}

func run(schemaPath, out string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// BindSpec validates the schema against Pulumi's metaschema, as `pulumi package gen-sdk` does.
	pkg, diags, err := schema.BindSpec(spec, noPackages{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	py, err := python.GeneratePackage("pulumi-language-python", pkg, nil, noPackages{})
	if err != nil {
		return fmt.Errorf("python: %w", err)
	}
	goFiles, err := gogen.GeneratePackage("pulumi-language-go", pkg, nil)
	if err != nil {
		return fmt.Errorf("go: %w", err)
	}
	for lang, files := range map[string]map[string][]byte{"python": py, "go": goFiles} {
		for name, content := range files {
			p := filepath.Join(out, lang, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, content, 0o644); err != nil {
				return err
			}
		}
		fmt.Printf("%s: %d files\n", lang, len(files))
	}
	return nil
}
