/** The version memscope reports (CLI --version, ISF producer). */
export const MEMSCOPE_VERSION = '0.1.0';
