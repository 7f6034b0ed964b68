export { parseEnv, EnvError, envSchemas } from './env.js';
export { createLogger, type Logger } from './logger.js';
