// Builds the console unless the last build is of the current sources (used by npm test).
import { buildIfNeeded } from './start';

buildIfNeeded();
