import { httpFunction } from '../shared/http/httpFunction';
import { StreamedBody } from '../shared/http/streamedBody';
import { readTagCounterConfig } from './config';
import { tagCounter } from './counterFactory';

const config = readTagCounterConfig();

/** Tags per chunk written to the socket: large enough to amortise writes, small enough to bound memory. */
const TAGS_PER_CHUNK = 1000;

/**
 * `GET`: `{"<tag>": <sum>, ...}` for every tag ever incremented, keys sorted, `{}` when none.
 * The body is streamed as the totals are read, so memory stays flat for 100,000 tags; a client
 * that goes away stops the query.
 */
export const tagStats = httpFunction('tagStats', [
  {
    method: 'GET',
    path: '/',
    async handle({ res }) {
      const totals = tagCounter(config).totals();
      // Wait for the first total before committing to 200, so a failing query is still a problem body.
      const first = await totals.next();
      res.status(200).setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      const body = new StreamedBody(res);
      let chunk = '{';
      let count = 0;
      for (let entry = first; !entry.done; entry = await totals.next()) {
        const [tag, sum] = entry.value;
        chunk += `${count++ === 0 ? '' : ','}${JSON.stringify(tag)}:${sum}`;
        if (count % TAGS_PER_CHUNK === 0) {
          if (!(await body.write(chunk))) {
            await totals.return(undefined);
            return;
          }
          chunk = '';
        }
      }
      res.end(chunk + '}');
    },
  },
]);
