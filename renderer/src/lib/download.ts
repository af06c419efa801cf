// Files to and from the user: a Blob link for downloads (works in the browser and in Electron), and file reads.
import type { ExportedFile } from '../api';

export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

/** Saves an exported file through a temporary Blob URL and an <a download>. */
export function saveFile(file: ExportedFile): void {
  const blob = new Blob([base64ToBytes(file.base64)], { type: file.mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const readText = (f: File) => f.text();
export const readBase64 = async (f: File) => bytesToBase64(new Uint8Array(await f.arrayBuffer()));
