/** DI token of the service's one ArtifactStore (opened from artifactStoreEnv; closed at shutdown). */
export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');
