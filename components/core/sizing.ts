import { GPU_INSTANCE_TYPES } from "./aws-catalog";

/** Sizing helpers: pure conversions between the cloud-neutral sizes and each target's units. */

/** Fargate CPU units for a vCPU size (1 vCPU = 1024 units). */
export function fargateCpuUnits(vcpu: number): number {
    return Math.round(vcpu * 1024);
}

/** Kubernetes CPU quantity for a vCPU size: 0.5 -> "500m", 2 -> "2". */
export function k8sCpu(vcpu: number): string {
    return Number.isInteger(vcpu) ? String(vcpu) : `${Math.round(vcpu * 1000)}m`;
}

/** Kubernetes memory quantity for MiB. */
export function k8sMemory(mib: number): string {
    return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

/**
 * Approximate max_connections RDS derives from instance memory
 * (LEAST(DBInstanceClassMemory/9531392, 5000)); used for the connections alarm threshold.
 */
export function rdsMaxConnections(instanceClass: string): number {
    const size = instanceClass.split(".")[2] ?? "large";
    const family = instanceClass.split(".")[1] ?? "r6g";
    const memoryGiBPerLarge = family.startsWith("r") ? 16 : family.startsWith("m") ? 8 : 8;
    const multiplier: Record<string, number> = {
        micro: 1 / 16,
        small: 1 / 8,
        medium: 1 / 4,
        large: 1,
        xlarge: 2,
        "2xlarge": 4,
        "4xlarge": 8,
        "8xlarge": 16,
        "12xlarge": 24,
        "16xlarge": 32,
    };
    const mem = memoryGiBPerLarge * (multiplier[size] ?? 1) * 1024 * 1024 * 1024;
    return Math.min(Math.floor(mem / 9531392), 5000);
}

/** Splits a /16../20 VPC CIDR into stable /N subnets: tier t, AZ a -> index t*4 + a. */
export function subnetCidr(vpcCidr: string, tier: number, az: number): string {
    const [addr, prefixStr] = vpcCidr.split("/");
    const prefix = Number(prefixStr);
    const newPrefix = prefix + 4; // 16 slots: 4 tiers x 4 AZs, stable when the AZ count changes
    const base = addr.split(".").reduce((acc, o) => (acc << 8) + Number(o), 0) >>> 0;
    const index = tier * 4 + az;
    const size = 2 ** (32 - newPrefix);
    const net = (base + index * size) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join(".")}/${newPrefix}`;
}

/** Host memory (MiB) of an EC2 GPU instance type, used to size the Ollama task (16 GiB when unknown). */
export function gpuInstanceMemoryMiB(instanceType: string): number {
    return GPU_INSTANCE_TYPES[instanceType]?.memoryMiB ?? 16384;
}
