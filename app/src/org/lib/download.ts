// A file the browser saves for the user (an object URL, revoked afterwards): audit exports, key backups.
/** Starts a browser download of `file` (an object URL, revoked afterwards). */
export function download(file: { name: string; type: string; text: string }): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: file.type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = file.name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
