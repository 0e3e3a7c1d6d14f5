/** The murmurhash3js package (tests only): the x86 variants, over a string of byte values (latin1). */
declare module "murmurhash3js" {
  const murmur: { x86: { hash32(key: string, seed?: number): number; hash128(key: string, seed?: number): string } };
  export default murmur;
}
