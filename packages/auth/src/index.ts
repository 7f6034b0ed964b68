export { ROLES, isRole, type Role, type Viewer } from './viewer.js';
export { createTokenVerifier, lastGoodRemoteKeys, TokenError, type TokenVerifier, type TokenVerifierOptions } from './verify.js';
export { ACCESS_TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, bearerToken } from './tokens.js';
export { ACCESS_TOKEN_MAX_AGE_MS, createRevocationList, type RevocableToken, type RevocationList, type TokenRevocation } from './revocations.js';
