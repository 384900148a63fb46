import { crc32 } from "../src/archive/_crc32.ts";
const d = new TextEncoder().encode("123456789");
console.log(crc32(d).toString(16)); // cbf43926
const big = new Uint8Array(50 << 20); for (let i=0;i<big.length;i++) big[i]=i*31;
let t=performance.now(); crc32(big); console.log("crc 50MiB", performance.now()-t);
