// Checks Kubernetes objects against the API's own schema, offline: kubernetes-models ships
// validators generated from the Kubernetes OpenAPI document, and the TypeScript types of the same
// objects. The validators check types, formats and required fields but let unknown fields through
// (the API's schema does not forbid them, and the API server would drop them silently), so a
// misspelt field (`readinesProbe`) is caught by TypeScript's excess-property check instead.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export interface Manifest {
  file: string;
  index: number;
  object: { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: unknown };
}

/** Every document of every file, parsed strictly: a YAML error or a duplicate key fails the load. */
export function loadManifests(files: string[]): Manifest[] {
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true }).map((doc, index) => {
      const problems = [...doc.errors, ...doc.warnings];
      if (problems.length > 0) throw new Error(`${file} document ${index + 1}: ${problems.map((p) => p.message).join('; ')}`);
      return { file, index, object: doc.toJS() as Manifest['object'] };
    }),
  );
}

/** `apps/v1` → `kubernetes-models/apps/v1/<Kind>`; the core group (`v1`) has no group segment. */
const modelPath = ({ apiVersion, kind }: Manifest['object']) => `kubernetes-models/${apiVersion}/${kind}`;

const where = (m: Manifest) => `${path.basename(m.file)} #${m.index + 1} (${m.object.kind} ${m.object.metadata?.name})`;

/** The generated validator's complaints, one line per object that fails. */
export async function schemaErrors(manifests: Manifest[]): Promise<string[]> {
  const errors: string[] = [];
  for (const m of manifests) {
    const module = (await import(modelPath(m.object))) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = module[m.object.kind];
    if (!Model) throw new Error(`${where(m)}: kubernetes-models has no ${m.object.kind} in ${m.object.apiVersion}`);
    try {
      new Model(m.object).validate();
    } catch (err) {
      errors.push(`${where(m)}: ${(err as Error).message}`);
    }
  }
  return errors;
}

/**
 * Fields the API does not know. All objects go into one in-memory TypeScript file, each assigned
 * to its kind's interface, and one program checks them (about a second; one program per object
 * would be one each).
 */
export function unknownFieldErrors(manifests: Manifest[]): string[] {
  const file = path.resolve('__kubernetes_manifests__.ts');
  const source = manifests
    .map((m, i) => `import type { I${m.object.kind} as T${i} } from '${modelPath(m.object)}';\nexport const m${i}: T${i} = ${JSON.stringify(m.object)};`)
    .join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => (name === file ? ts.createSourceFile(name, source, language) : readSource(name, language));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    // Line 2k+1 of the generated file is manifest k's assignment.
    const m = d.file?.fileName === file && line >= 0 ? manifests[Math.floor(line / 2)] : undefined;
    return `${m ? where(m) : d.file?.fileName ?? '(program)'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}
