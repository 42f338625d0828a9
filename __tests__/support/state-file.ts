/**
 * A stack's state as the engine wrote it, read without the engine: the remote state object in S3
 * (or a local state file). `terraform state list` or `output` would start the engine and load the
 * providers' schemas (about 2 CPU-seconds each); the tests need only what the file says.
 */
import { readFileSync } from "node:fs";
import { GetObjectCommand, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

export interface StateFile {
  readonly resources?: readonly { readonly mode: string; readonly type: string; readonly name: string; readonly instances: readonly unknown[] }[];
  readonly outputs?: Record<string, { readonly value: unknown; readonly sensitive?: boolean }>;
}

export async function remoteState(sdk: S3ClientConfig, bucket: string, key: string): Promise<StateFile> {
  const object = await new S3Client(sdk).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString()) as StateFile;
}

export const localState = (file: string): StateFile => JSON.parse(readFileSync(file, "utf8")) as StateFile;

/** The managed resource instances, one address each, as `state list` prints them (data sources left out). */
export function managedInstances(state: StateFile): string[] {
  return (state.resources ?? []).filter((r) => r.mode === "managed").flatMap((r) => r.instances.map(() => `${r.type}.${r.name}`));
}
