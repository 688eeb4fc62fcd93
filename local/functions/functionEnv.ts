import type { Endpoints } from '../cloud';

/**
 * Function-specific environment in the local cloud: what Terraform sets on each function in the
 * cloud (other functions' URLs, workflow names...), derived here from the local endpoints.
 * Variables every function gets (project, emulator hosts) are set by `cloud.ts`.
 */
export function localFunctionEnv(name: string, endpoints: Endpoints): Record<string, string> {
  void endpoints;
  switch (name) {
    default:
      return {};
  }
}
