/**
 * Rotation of generated secrets, shared by both targets: a rotation date (`secretsRotatedOn`,
 * YYYY-MM-DD) is a keeper of every generated password, so a new date generates new values on the
 * next `pulumi up`, and a marker on the consumers' pod templates / task definitions restarts them.
 */

/** Annotation on Kubernetes pod templates (and generated Secrets) that carries the rotation date. */
export const ROTATION_ANNOTATION = "ragstack.io/credentials-rotated-on";

/**
 * Keepers of a `random` password for a rotation date: none when never rotated, so a stack
 * deployed before rotation existed keeps its values until the first rotation.
 */
export function rotationKeepers(rotatedOn: string | undefined): { keepers?: Record<string, string> } {
    return rotatedOn ? { keepers: { rotatedOn } } : {};
}
