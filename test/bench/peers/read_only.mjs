// The floor in splits.bench.mjs: what just reading the file costs in Node (streamed in 4 MiB chunks, lines counted).
// Usage: node read_only.mjs DATA.csv   (exit 3 when the file has no line)
import * as fs from 'node:fs';

let n = 0;
fs.createReadStream(process.argv[2], { highWaterMark: 1 << 22 })
  .on('data', (b) => {
    let i = -1;
    while ((i = b.indexOf(10, i + 1)) >= 0) n++;
  })
  .on('end', () => {
    if (n < 1) process.exit(3);
  });
