package io.latentqa.dataset.record;

/**
 * A question and answer about a label's behaviour, to write.
 *
 * @param naturalKey import:&lt;file&gt;#&lt;label&gt;#&lt;n&gt;, template:&lt;label&gt;#&lt;template&gt; or
 *        llm:&lt;label&gt;#&lt;prompt&gt;#&lt;n&gt;
 * @param label the label it joins on
 * @param question the question
 * @param answer the answer
 * @param source import, template or llm
 * @param template the template or prompt that made it (null for imports)
 * @param sourceFile for imports: the file
 * @param position for imports: where in the file
 * @param jobId the job that wrote it
 */
public record QaPair(String naturalKey, String label, String question, String answer, String source, String template,
        String sourceFile, String position, String jobId) {
}
