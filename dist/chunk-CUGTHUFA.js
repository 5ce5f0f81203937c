import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  __commonJS,
  __require
} from "./chunk-LQK3ML4U.js";

// builtin-by-require:node:crypto
var require_node_crypto = __commonJS({
  "builtin-by-require:node:crypto"(exports, module) {
    module.exports = __require("node:crypto");
  }
});

export {
  require_node_crypto
};
