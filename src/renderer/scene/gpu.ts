/** Which WebGL renderer this machine has, and whether it is a software one (SwiftShader, llvmpipe…). */
import type { Application } from 'pixi.js';

export interface GpuInfo {
  name: string;
  software: boolean;
}

/** Asks a throwaway WebGL context, before pixi starts. */
export function probeWebGl(): GpuInfo {
  try {
    const c = document.createElement('canvas');
    const gl = (c.getContext('webgl2') ?? c.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return { name: 'none', software: false };
    const r = rendererName(gl);
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return r;
  } catch {
    return { name: 'unknown', software: false };
  }
}

function rendererName(gl: WebGLRenderingContext): GpuInfo {
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'unknown');
  return { name, software: /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name) };
}

/** The renderer pixi got. */
export function describeRenderer(app: Application): GpuInfo {
  try {
    const gl = (app.renderer as unknown as { gl?: WebGLRenderingContext }).gl;
    if (!gl) return { name: String(app.renderer.name ?? 'unknown'), software: false };
    return rendererName(gl);
  } catch {
    return { name: 'unknown', software: false };
  }
}
