// Preloaded into servers that hard-code 0.0.0.0 (alto): every listen() binds 127.0.0.1 instead.
import net from "node:net";

const listen = net.Server.prototype.listen;
const ANY = new Set([undefined, "0.0.0.0", "::", ""]);
net.Server.prototype.listen = function (...args) {
  if (args[0] !== null && typeof args[0] === "object" && !Array.isArray(args[0]) && args[0].path === undefined) {
    if (ANY.has(args[0].host)) args[0] = { ...args[0], host: "127.0.0.1" };
  } else if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    if (typeof args[1] === "string") {
      if (ANY.has(args[1])) args[1] = "127.0.0.1";
    } else {
      args.splice(1, 0, "127.0.0.1");
    }
  }
  return listen.apply(this, args);
};
