import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RagStack } from "@ragstack/pulumi-rag-platform";

const config = new pulumi.Config();
const provider = new k8s.Provider("onprem", { context: config.get("kubeContext"), enableServerSideApply: true });

const stack = new RagStack("rag", {
    target: "kubernetes",
    environment: "production",
    domain: "rag.internal.example.gov",
    kubernetesProvider: provider,
    overrides: {
        tags: { owner: "platform-team", costCenter: "cc-4410", dataClassification: "restricted", extra: {} },
        api: { image: "ghcr.io/example-gov/rag-api:1.4.2@sha256:b10a9fd92b0679b32a13f0e7f4722355c4909ade1600c57e3ac2c5da17b1975b" },
        llm: { models: ["llama3.1:70b-instruct-q4_K_M", "nomic-embed-text:v1.5"], gpusPerNode: 2 },
        kubernetes: {
            namespacePrefix: "rag",
            imageRegistry: "harbor.internal.example.gov/mirror",
            storageClass: "ceph-rbd-encrypted",
            gatewayClassName: "envoy-gateway",
            edgeControllerNamespace: "envoy-gateway-system",
            clusterIssuer: "corporate-ca",
            objectStorageMode: "external",
            objectStorageEndpoint: "https://s3.internal.example.gov",
            objectStorageSecretName: "rag-object-storage",
            objectStorageBackupsSecretName: "rag-backup-storage",
            objectStorageDocumentsReaderSecretName: "rag-documents-reader",
            // The logical dumps are also copied to the disaster-recovery site's store.
            offsiteObjectStorageEndpoint: "https://s3.dr-site.example.gov",
            offsiteObjectStorageSecretName: "rag-offsite-storage",
            gpuRuntimeClassName: "nvidia",
            // Egress out of the cluster, each destination by its addresses (no internet in production).
            modelRegistry: "models.internal.example.gov",
            modelSourceCidrs: ["10.40.30.0/24"],
            apiServerCidrs: ["10.40.0.0/28"],
            objectStorageCidrs: ["10.40.20.0/24"],
            offsiteObjectStorageCidrs: ["10.80.20.0/24"],
        },
    },
});

export const url = stack.url;
export const databaseEndpoint = stack.databaseEndpoint;
export const databaseReaderEndpoint = stack.databaseReaderEndpoint;
