// pg-query-emscripten (the PostgreSQL parser Ponder uses) ships no types; public.ts types the one
// call it makes.
declare module "pg-query-emscripten";
