export { ROLES, isRole, type Role, type Viewer } from './viewer.js';
export { createTokenVerifier, TokenError, type TokenVerifier, type TokenVerifierOptions } from './verify.js';
export { ACCESS_TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, bearerToken } from './tokens.js';
