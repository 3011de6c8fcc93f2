const t=performance.now();
await import('@nerima/meta-core'); console.log('meta-core', performance.now()-t);
await import('@nerima/server'); console.log('server', performance.now()-t);
