const t=performance.now();
for (const m of ['@nerima/core','@nerima/eval','@nerima/augment','@nerima/xling-align']) { await import(m); console.log(m, (performance.now()-t).toFixed(0)); }
