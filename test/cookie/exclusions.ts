/**
 * Conformance cases we do not run, by id, each with the reason and the browser behaviour behind it.
 * Keep this the ONE place such a list lives; it is empty while every case passes.
 */
export const exclusions: Record<string, string> = {}
