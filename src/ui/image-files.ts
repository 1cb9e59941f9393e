/** A VMware guest's memory: opened with the state file chosen with it. */
const VMEM = /\.vmem$/i;

/**
 * Of the memory images chosen together, the one to open and the files that came with it (a format split over two
 * files asks for the other by its extension): a VMware `.vmem` is opened with its `.vmss`/`.vmsn`, whichever order
 * they came in; otherwise the first is opened.
 */
export function imageAndCompanions<F extends { readonly name: string }>(files: readonly F[]): { image?: F; companions: F[] } {
  const image = files.find((f) => VMEM.test(f.name)) ?? files[0];
  return { image, companions: files.filter((f) => f !== image) };
}
